#!/bin/sh
# Print a help2man include file: a COMMANDS section with every command's
# --help, so `man mfh` says what `mfh CMD --help` says.
#   man-include.sh path/to/mfh > commands.h2m
mfh="$1"
printf '[COMMANDS]\n'
for cmd in $("$mfh" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p'); do
  printf '.SS "mfh %s"\n.nf\n' "$cmd"
  "$mfh" "$cmd" --help | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/"
  printf '.fi\n'
done
printf '[FILES]\n'
printf '.TP\n.I <prefix>/share/mfh/studies\nThe shipped studies; a relative study path that does not exist in the current folder is looked up here.\n'
printf '.TP\n.I <prefix>/share/mfh/expected\nThe blessed baselines of the shipped studies.\n'
printf '.TP\n.I <prefix>/share/doc/mfh\nREADME and the documentation (studies, results schema, history schema, schedulers).\n'
