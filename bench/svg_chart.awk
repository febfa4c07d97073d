# Turns the benchmark programs' result lines (RILL_BENCH_RESULTS, see
# harness.hpp) into an SVG chart: one horizontal bar per row, "rill / best
# Asio", grouped by program, with a line at 1.0 (parity) and each row's target
# marked. bench/run.sh --svg=FILE runs it; plain POSIX awk (mawk, gawk), so the
# chart needs no plotting package.
#
#   awk -F '\t' -v subtitle='...' -f bench/svg_chart.awk results.tsv > chart.svg
#
# Input, tab-separated, one line per row: program, row, rill/best Asio, target
# (0: none), which Asio was faster ("epoll", "io_uring", "epoll only"),
# rill/Asio epoll.

function esc(s) {
  gsub(/&/, "\\&amp;", s)
  gsub(/</, "\\&lt;", s)
  gsub(/>/, "\\&gt;", s)
  gsub(/"/, "\\&quot;", s)
  return s
}

function x_of(v) { return bar_x + v * bar_w / x_max }

BEGIN {
  FS = "\t"
  rows = 0
  groups = 0
  x_max = 0
}

NF >= 6 {
  if (groups == 0 || $1 != group_name[groups]) {
    groups++
    group_name[groups] = $1
    group_uring[groups] = 0
  }
  rows++
  row_group[rows] = groups
  row_name[rows] = $2
  row_ratio[rows] = $3 + 0
  row_target[rows] = $4 + 0
  row_best[rows] = $5
  if ($5 != "epoll only") group_uring[groups] = 1
  if (row_ratio[rows] > x_max) x_max = row_ratio[rows]
  if (row_target[rows] > x_max) x_max = row_target[rows]
}

END {
  if (rows == 0) {
    print "svg_chart.awk: no result lines" > "/dev/stderr"
    exit 1
  }
  # The scale: a little beyond the longest bar or target, in whole ticks.
  tick = 0.5
  if (x_max * 1.1 > 6) tick = 1
  if (x_max * 1.1 > 12) tick = 5
  x_max = tick * (int(x_max * 1.1 / tick) + 1)
  if (x_max < 2) x_max = 2

  width = 860
  label_right = 330  # row labels end here
  bar_x = 340
  bar_w = 380        # leaves room for the value text after the longest bar
  row_h = 18
  bar_h = 12
  head_h = 24        # a group's heading
  top = 70           # title, subtitle and legend above the first group
  height = top + groups * head_h + rows * row_h + 40

  printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" ", width, height
  printf "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", width, height
  printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
  printf "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">"
  printf "rill / best Asio: throughput ratio per workload (higher is better)</text>\n"
  if (subtitle != "") printf "<text x=\"10\" y=\"40\" fill=\"#555\">%s</text>\n", esc(subtitle)
  # Legend.
  ly = 56
  printf "<rect x=\"10\" y=\"%d\" width=\"12\" height=\"10\" fill=\"#2e7d32\"/>", ly - 9
  printf "<text x=\"26\" y=\"%d\">meets target (no target: ahead)</text>\n", ly
  printf "<rect x=\"235\" y=\"%d\" width=\"12\" height=\"10\" fill=\"#f0a020\"/>", ly - 9
  printf "<text x=\"251\" y=\"%d\">ahead, below target</text>\n", ly
  printf "<rect x=\"385\" y=\"%d\" width=\"12\" height=\"10\" fill=\"#c62828\"/>", ly - 9
  printf "<text x=\"401\" y=\"%d\">behind Asio</text>\n", ly
  printf "<line x1=\"490\" y1=\"%d\" x2=\"490\" y2=\"%d\" stroke=\"#000\" stroke-width=\"3\"/>", ly - 11, ly + 2
  printf "<text x=\"497\" y=\"%d\">target</text>\n", ly
  printf "<text x=\"550\" y=\"%d\" fill=\"#555\">(in brackets: the faster Asio back end)</text>\n", ly

  y = top
  for (g = 1; g <= groups; g++) {
    y += head_h
    heading = group_name[g] (group_uring[g] ? " (vs the faster of Asio epoll / io_uring)" : " (vs Asio epoll)")
    printf "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>\n", y - 7, esc(heading)
    for (r = 1; r <= rows; r++) {
      if (row_group[r] != g) continue
      v = row_ratio[r]
      t = row_target[r]
      goal = t > 0 ? t : 1
      colour = v >= goal ? "#2e7d32" : (v >= 1 ? "#f0a020" : "#c62828")
      printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", label_right, y + 13, esc(row_name[r])
      printf "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", bar_x, y + 4, x_of(v) - bar_x, bar_h, colour
      if (t > 0) {
        printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#000\" stroke-width=\"3\"/>\n", x_of(t), y + 1, x_of(t), y + bar_h + 6
      }
      value = sprintf("%.2fx", v)
      if (row_best[r] != "epoll only") value = value " (" row_best[r] ")"
      printf "<text x=\"%.1f\" y=\"%d\">%s</text>\n", (x_of(v) > x_of(t) ? x_of(v) : x_of(t)) + 5, y + 13, value
      y += row_h
    }
  }

  # The axis, its ticks and the parity line across the whole chart.
  axis_y = y + 6
  printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", bar_x, axis_y, bar_x + bar_w, axis_y
  for (v = 0; v <= x_max + 1e-9; v += tick) {
    printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>", x_of(v), axis_y, x_of(v), axis_y + 4
    printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%gx</text>\n", x_of(v), axis_y + 16, v
  }
  printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>\n", x_of(1), top, x_of(1), axis_y
  print "</svg>"
}
