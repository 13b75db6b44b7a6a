/* States: the item container, declarations and their check. */
#include "core/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

const mfh_kind *mfh_kind_find(const char *name) {
  for (size_t i = 0; mfh_kinds[i]; i++)
    if (!strcmp(mfh_kinds[i]->name, name)) return mfh_kinds[i];
  return NULL;
}

static int find(const mfh_state *s, const mfh_kind *kind, const char *name) {
  for (size_t i = 0; i < s->n; i++)
    if (s->item[i].kind == kind && (!name || !strcmp(s->item[i].name, name))) return (int)i;
  return -1;
}

int mfh_state_put(mfh_state *s, const char *name, const mfh_kind *kind, void *data, mfh_err *err) {
  int dup = 0;
  for (size_t i = 0; i < s->n; i++) dup |= !strcmp(s->item[i].name, name);
  if (dup || s->n == MFH_STATE_MAX || strlen(name) >= MFH_ITEM_NAME) {
    kind->free(data);
    return mfh_err_set(err, MFH_EINTERNAL, "state item '%s': %s", name,
                       dup ? "already present" : s->n == MFH_STATE_MAX ? "too many items" : "name too long");
  }
  mfh_item *it = &s->item[s->n++];
  snprintf(it->name, sizeof it->name, "%s", name);
  it->kind = kind;
  it->data = data;
  return MFH_OK;
}

const void *mfh_state_get(const mfh_state *s, const mfh_kind *kind, const char *name) {
  int i = find(s, kind, name);
  return i < 0 ? NULL : s->item[i].data;
}

void *mfh_state_take(mfh_state *s, const mfh_kind *kind, const char *name) {
  int i = find(s, kind, name);
  if (i < 0) return NULL;
  void *d = s->item[i].data;
  for (size_t j = (size_t)i; j + 1 < s->n; j++) s->item[j] = s->item[j + 1];
  s->n--;
  return d;
}

int mfh_state_copy(const mfh_state *src, mfh_state *dst, mfh_err *err) {
  for (size_t i = 0; i < src->n; i++) {
    void *d = NULL;
    int rc = src->item[i].kind->copy(src->item[i].data, &d, err);
    if (!rc) rc = mfh_state_put(dst, src->item[i].name, src->item[i].kind, d, err);
    if (rc) return rc;
  }
  for (size_t i = 0; i < src->scalars.n; i++)
    if (mfh_values_set(&dst->scalars, src->scalars.v[i].name, src->scalars.v[i].v))
      return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  return MFH_OK;
}

void mfh_state_clear(mfh_state *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n; i++) s->item[i].kind->free(s->item[i].data);
  s->n = 0;
  mfh_values_free(&s->scalars);
}

int mfh_state_hash(const mfh_state *s, uint64_t *out, mfh_err *err) {
  XXH3_state_t *h = XXH3_createState();
  if (!h) return mfh_err_set(err, MFH_ENOMEM, "out of memory");
  XXH3_64bits_reset(h);
  int rc = MFH_OK;
  for (size_t i = 0; !rc && i < s->n; i++) {
    uint64_t v;
    rc = s->item[i].kind->hash(s->item[i].data, &v, err);
    XXH3_64bits_update(h, s->item[i].name, strlen(s->item[i].name));
    XXH3_64bits_update(h, &v, sizeof v);
  }
  for (size_t i = 0; !rc && i < s->scalars.n; i++) {
    XXH3_64bits_update(h, s->scalars.v[i].name, strlen(s->scalars.v[i].name));
    XXH3_64bits_update(h, &s->scalars.v[i].v, sizeof s->scalars.v[i].v);
  }
  *out = XXH3_64bits_digest(h);
  XXH3_freeState(h);
  return rc;
}

int mfh_decl_item(mfh_decl *d, const char *name, const mfh_kind *kind) {
  if (d->nitems == MFH_STATE_MAX || strlen(name) >= MFH_ITEM_NAME) return MFH_EINTERNAL;
  for (size_t i = 0; i < d->nitems; i++)
    if (!strcmp(d->item[i].name, name)) return MFH_EINTERNAL;
  snprintf(d->item[d->nitems].name, MFH_ITEM_NAME, "%s", name);
  d->item[d->nitems++].kind = kind;
  return MFH_OK;
}

int mfh_decl_scalars(mfh_decl *d, const char *list) {
  const char *p = list;
  while (*p) {
    while (*p == ' ') p++;
    const char *e = p;
    while (*e && *e != ' ') e++;
    size_t len = (size_t)(e - p);
    if (len) {
      if (d->nscalars == MFH_DECL_SCALARS || len >= MFH_NAME_MAX) return MFH_EINTERNAL;
      char name[MFH_NAME_MAX];
      memcpy(name, p, len);
      name[len] = '\0';
      if (!mfh_decl_has_scalar(d, name)) memcpy(d->scalar[d->nscalars++], name, len + 1);
    }
    p = e;
  }
  return MFH_OK;
}

int mfh_decl_has_scalar(const mfh_decl *d, const char *name) {
  for (size_t i = 0; i < d->nscalars; i++)
    if (!strcmp(d->scalar[i], name)) return 1;
  return 0;
}

int mfh_decl_find(const mfh_decl *d, const mfh_kind *kind, const char *name) {
  for (size_t i = 0; i < d->nitems; i++)
    if (d->item[i].kind == kind && (!name || !strcmp(d->item[i].name, name))) return (int)i;
  return -1;
}

int mfh_decl_check(const mfh_decl *d, const mfh_state *s, mfh_err *err) {
  for (size_t i = 0; i < d->nitems; i++)
    if (find(s, d->item[i].kind, d->item[i].name) < 0)
      return mfh_err_set(err, MFH_EINTERNAL, "declared %s '%s' was not produced", d->item[i].kind->name,
                         d->item[i].name);
  for (size_t i = 0; i < s->n; i++)
    if (mfh_decl_find(d, s->item[i].kind, s->item[i].name) < 0)
      return mfh_err_set(err, MFH_EINTERNAL, "produced %s '%s' that was not declared", s->item[i].kind->name,
                         s->item[i].name);
  for (size_t i = 0; i < d->nscalars; i++)
    if (!mfh_values_get(&s->scalars, d->scalar[i]))
      return mfh_err_set(err, MFH_EINTERNAL, "declared scalar '%s' was not produced", d->scalar[i]);
  for (size_t i = 0; i < s->scalars.n; i++)
    if (!mfh_decl_has_scalar(d, s->scalars.v[i].name))
      return mfh_err_set(err, MFH_EINTERNAL, "produced scalar '%s' that was not declared", s->scalars.v[i].name);
  return MFH_OK;
}
