# Paper tables: mfh report --table latex|markdown prints the run's table (the
# same text as the run folder's table.tex / table.md), a bad format or the
# flag on another command is a usage error (exit 2), and the LaTeX compiles
# with booktabs and tabularx when a LaTeX is installed.
source "$(dirname "$0")/clilib.sh"
cd "$T"
study="$MFH_SOURCE_DIR/tests/data/small2d.yaml"
"$MFH" run "$study" --out r --quiet --no-render --jobs 2
[ -s r/table.tex ] && ok "run folder has table.tex" || bad "no r/table.tex"
[ -s r/table.md ] && ok "run folder has table.md" || bad "no r/table.md"
set +e; tex=$("$MFH" report r --table latex --no-render 2>err.txt); rc=$?; set -e
expect_eq "$rc" 0 "--table latex: exit 0"
expect_eq "$tex" "$(cat r/table.tex)" "--table latex prints table.tex and nothing else"
expect_contains "$tex" 'FG-1 & test: E W\_2\^{}2 between two uniform samples in 2D & ${N}^{-1/2}$ & $' "the row: theorem, statement, proved, observed"
expect_contains "$tex" '\begin{tabularx}{\linewidth}{@{}lXllll@{}}' "booktabs + tabularx"
md=$("$MFH" report r --table markdown --no-render 2>/dev/null)
expect_eq "$md" "$(cat r/table.md)" "--table markdown prints table.md"
expect_contains "$md" '| FG-1 | test: E W_2^2 between two uniform samples in 2D | N^(-1/2) | ' "markdown row"
for args in "report r --table html" "report r --table" "run $study --table latex"; do
  set +e; out=$("$MFH" $args 2>&1); rc=$?; set -e
  expect_eq "$rc" 2 "usage error: mfh $args"
done
set +e; out=$("$MFH" report r --table html 2>&1); set -e
expect_contains "$out" "mfh report: --table must be latex or markdown (got 'html')" "usage message"
if command -v pdflatex >/dev/null && kpsewhich booktabs.sty >/dev/null && kpsewhich tabularx.sty >/dev/null; then
  printf '\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{tabularx}\n\\begin{document}\n\\input{table.tex}\n\\end{document}\n' >r/doc.tex
  if (cd r && pdflatex -interaction=nonstopmode -halt-on-error doc.tex >latex.log 2>&1); then
    ok "pdflatex compiles table.tex"
  else
    bad "pdflatex failed:"$'\n'"$(tail -20 r/latex.log)"
  fi
else
  echo "note: no pdflatex with booktabs and tabularx here (Debian: texlive-latex-base texlive-latex-recommended): the LaTeX is checked by its structure in test_report only"
fi
finish
