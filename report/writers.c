/* The writer registry (report/writer.h): made from MFH_WRITER_LIST, so a
 * new writer is its own file and one line in that list. */
#include "report/writer.h"

#include <string.h>

#define MFH_WRITER_ENTRY(x) &mfh_writer_##x,
const mfh_writer_type *const mfh_writers[] = {MFH_WRITER_LIST(MFH_WRITER_ENTRY) NULL};
#undef MFH_WRITER_ENTRY

const mfh_writer_type *mfh_writer_find(const char *name) {
  for (size_t i = 0; name && mfh_writers[i]; i++)
    if (strcmp(mfh_writers[i]->name, name) == 0) return mfh_writers[i];
  return NULL;
}
