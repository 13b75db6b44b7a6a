#!/bin/sh
# A stand-in for "your own solver": forward Euler for y' = -y, y(0) = 1, up
# to t = 1 with step dt; prints the error |y_n - e^{-1}| as JSON.
# mfh substitutes {dt} in the study's command template.
# usage: sh examples/euler.sh DT
awk -v dt="$1" 'BEGIN {
  n = int(1 / dt + 0.5); h = 1 / n; y = 1
  for (i = 0; i < n; i++) y = y - h * y
  e = y - exp(-1); if (e < 0) e = -e
  printf "{\"error\": %.17g, \"steps\": %d}\n", e, n
}'
