# Every message a bad `checks:` item gives, word for word and at its
# file:line:col, against a golden file: each line of data/check_messages.cases
# (SWEEP|ITEM) is one study whose second check is ITEM, validated; the outputs
# in order must equal data/check_messages.expected.  The check kinds are
# plug-ins (checks/), so this pins what each kind's parse hook says.
# After a deliberate change of a message: regenerate the .expected file with
#   MFH=build/mfh MFH_SOURCE_DIR=. MFH_CHECK_MESSAGES_WRITE=1 bash tests/cli_check_messages.sh
source "$(dirname "$0")/clilib.sh"
data="$MFH_SOURCE_DIR/tests/data"
cd "$T"
sweep() {
  case $1 in
    1) echo '  N: [16, 32, 64, 128, 256]' ;;
    2) echo '  N: [16, 32]' ;;
    3) echo '  N: [1, 4, 16, 64]' ;;
    4) printf '  N: [16, 32, 64, 128]\n  p: [1, 2, 3]\n' ;;
  esac
}
i=0
while IFS= read -r line; do
  [ -z "$line" ] && continue
  i=$((i + 1))
  printf 'id: m1\ntitle: test\ntheorem: FG-1\nsystem: iid\nmodel: {law: uniform, dim: 1}\n' >v$i.yaml
  printf 'observable: {name: wp_law, p: 1}\nmeasure: [wp, wpp]\nsweep:\n%s\nreplicas: 4\n' "$(sweep "${line%%|*}")" >>v$i.yaml
  printf 'checks:\n  - expected: {}\n%s\n' "${line#*|}" >>v$i.yaml
  printf '== %d %s\n' $i "${line#*|}" >>got.txt
  set +e; "$MFH" validate v$i.yaml >>got.txt 2>&1; echo "rc=$?" >>got.txt; set -e
done <"$data/check_messages.cases"
if [ -n "${MFH_CHECK_MESSAGES_WRITE:-}" ]; then cp got.txt "$data/check_messages.expected"; fi
if d=$(diff "$data/check_messages.expected" got.txt); then
  ok "$i check items: every message and exit code as expected"
else
  bad "check messages moved:"$'\n'"$d"
fi
finish
