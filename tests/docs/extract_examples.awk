# Writes every ```cpp block of a Markdown page whose first line is
# "// file: NAME.cpp" to OUT_DIR/NAME.cpp, and prints the names written.
/^```cpp$/ { in_block = 1; file = ""; next }
/^```$/ {
  if (file != "") { close(OUT_DIR "/" file); print file }
  in_block = 0; file = ""; next
}
in_block && file == "" && /^\/\/ file: / { file = $3; printf "" > (OUT_DIR "/" file); next }
in_block && file != "" { print >> (OUT_DIR "/" file) }
