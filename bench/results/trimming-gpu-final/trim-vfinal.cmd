python3 -m lsp_server bench --configs no-trim,wattcode --workloads accuracy --tasks 10 --padded-tasks 1033 --out /root/wc/reports/trim-vfinal
