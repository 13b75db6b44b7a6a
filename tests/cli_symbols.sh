# Every exported symbol of the library carries the mfh_ prefix (house style).
source "$(dirname "$0")/clilib.sh"
lib="$(dirname "$MFH")/libmfhcore.a"
[ -f "$lib" ] || { bad "no $lib"; finish; exit 1; }
unprefixed=$(nm -g --defined-only "$lib" | awk 'NF == 3 {print $3}' | grep -v -e '^mfh_' -e '^\.gomp_critical_user_mfh_' || true)
if [ -z "$unprefixed" ]; then ok "all exported symbols start with mfh_"; else bad "unprefixed exports: $unprefixed"; fi
finish
