# Plots for bench/results/summary.md. Called by bench/report.py as
#   gnuplot -e "results='<dir>'" bench/plot.gp
# Reads <dir>/corpus.tsv and <dir>/.scaling-plot.dat.
set terminal pngcairo size 1100,700 font "DejaVu Sans,11"
set datafile separator "\t"
set key top left
set grid
set logscale xy
set format y "10^{%L}"
set format x "10^{%L}"

set output results."/time-vs-size.png"
set title "CPU time per translation unit vs size (real corpus)"
set xlabel "translation-unit size (lines, headers included)"
set ylabel "CPU seconds"
pos(x) = (x > 0 ? x : 1/0)
plot results."/corpus.tsv" every ::1 using 3:(pos($4)) with points pt 7 ps 0.5 lc rgb "#999999" title "clang++ -fsyntax-only (parse)", \
     ""                    every ::1 using 3:(pos($11)) with points pt 6 ps 0.6 lc rgb "#1f77b4" title "misc-const-correctness", \
     ""                    every ::1 using 3:(pos($10)) with points pt 4 ps 0.6 lc rgb "#2ca02c" title "bugprone-use-after-move", \
     ""                    every ::1 using 3:(pos($6)) with points pt 9 ps 0.7 lc rgb "#d62728" title "defer-race-* (three checks)"

set output results."/scaling.png"
set datafile separator whitespace
set title "Generated TUs: CPU time per unit (guard + spawn + serializer call)"
set xlabel "units in the translation unit (N)"
set ylabel "milliseconds per unit"
set key top left
plot results."/.scaling-plot.dat" index 0 using 1:2 with linespoints pt 7 lw 2 lc rgb "#d62728" title "defer-race-*, all units in one function", \
     ""                           index 1 using 1:2 with linespoints pt 5 lw 2 lc rgb "#ff7f0e" title "defer-race-*, one function per unit", \
     ""                           index 1 using 1:3 with linespoints pt 6 lw 1 dt 2 lc rgb "#999999" title "parse (clang++ -fsyntax-only), one function per unit", \
     ""                           index 0 using 1:3 with linespoints pt 4 lw 1 dt 3 lc rgb "#666666" title "parse, all in one function"
