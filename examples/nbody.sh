#!/bin/sh
# Runs the example N-body code (examples/nbody_cos.c), which the build
# compiles beside mfh: build/examples/mfh-example-nbody in a build tree,
# <prefix>/libexec/mfh/mfh-example-nbody when installed.  mfh tells its
# programs where it runs from in $MFH_EXE.  Your own program would be
# named directly in the study's cmd instead.
here=$(dirname "${MFH_EXE:-/nonexistent/mfh}")
for exe in "$here/examples/mfh-example-nbody" "$here/../libexec/mfh/mfh-example-nbody"; do
  [ -x "$exe" ] && exec "$exe" "$@"
done
echo "nbody.sh: mfh-example-nbody is not built beside $here/mfh (cmake --build build)" >&2
exit 127
