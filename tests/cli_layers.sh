# The layers of the tree, bottom to top, and the rule that keeps them true:
# a file includes only its own layer and the layers below it, and a plug-in
# folder (engines/, observables/, bounds/, checks/) includes no other plug-in
# kind, so each plug-in can be read, tested and replaced on its own.
#   0 core/       status, params, values, rng, state kinds, plug-in interfaces
#   1 metrics/    numerical libraries with no harness types (distances, fits)
#   2 engines/ observables/ bounds/ checks/   the plug-ins
#   3 pipeline/   study -> plan -> exec -> fit -> verdict
#   4 report/     writers (one file each, one registry) over one plot/table model
#   5 cli/        commands
source "$(dirname "$0")/clilib.sh"
cd "$MFH_SOURCE_DIR"

rank() {
  case "$1" in
    core) echo 0 ;; metrics) echo 1 ;;
    engines | observables | bounds | checks) echo 2 ;;
    pipeline) echo 3 ;; report) echo 4 ;; cli) echo 5 ;;
    *) echo "" ;;
  esac
}

# The checker itself must be able to fail: a planted upward include is caught.
check_tree() { # prints one line per violation found under the folders given
  for top in "$@"; do
    [ -d "$top" ] || continue
    find "$top" -name '*.[ch]' | sort | while read -r f; do
      own=${f%%/*}
      own_rank=$(rank "$own")
      grep -o '^#include "[a-z_0-9]*/' "$f" | sed 's/#include "//; s#/##' | sort -u | while read -r inc; do
        r=$(rank "$inc")
        if [ -z "$r" ]; then
          echo "$f includes \"$inc/...\": not a layer"
        elif [ "$r" -gt "$own_rank" ]; then
          echo "$f (layer $own) includes $inc/ (a higher layer)"
        elif [ "$r" -eq 2 ] && [ "$own_rank" -eq 2 ] && [ "$inc" != "$own" ]; then
          echo "$f (plug-in $own) includes another plug-in kind: $inc/"
        fi
      done
    done
  done
}

violations=$(check_tree core metrics engines observables bounds checks pipeline report cli)
if [ -z "$violations" ]; then ok "no file includes a higher layer or another plug-in kind"; else bad "layering:"$'\n'"$violations"; fi

# every source folder of the library is a known layer
for d in */; do
  d=${d%/}
  case "$d" in tests | bench | docs | studies | expected | examples | build* | reports | debian | fuzz | man) continue ;; esac
  if find "$d" -name '*.c' | grep -q .; then
    [ -n "$(rank "$d")" ] && ok "$d/ is a layer" || bad "$d/ holds C sources but is not a layer"
  fi
done

# negative control: a planted violation in a scratch copy is reported
mkdir -p "$T/tree/core"
printf '#include "pipeline/study.h"\n' >"$T/tree/core/x.c"
planted=$(cd "$T/tree" && check_tree core)
expect_contains "$planted" "core/x.c (layer core) includes pipeline/" "a planted upward include is caught"
finish
