#!/bin/sh
# Trunk post_build hook: writes views.css, the stylesheet of the notebook views
# (mlflow.show, src/ui/embed), from the site's own stylesheets. style/views.css comes
# first (the view's root standing in for <html> and <body>), then the files of what
# the views show: add a file here when a view comes to show a component styled in it.
#
# Every rem becomes calc(n * 16px): a rem inside a shadow root still follows the
# page's <html>, which a notebook styles as it likes. (16px is the rem the site has
# at the browser's default size.)
set -eu
out="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}/views.css"
for f in views tokens main runs_table run chart transfer; do
  printf '/* style/%s.css */\n' "$f"
  cat "style/$f.css"
done | sed -E 's/(^|[^0-9A-Za-z_.-])(-?[0-9]*\.?[0-9]+)rem\b/\1calc(\2 * 16px)/g' > "$out"
