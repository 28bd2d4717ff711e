python3 -m lsp_server bench --configs wattcode,no-gate --workloads typing --corpus wide --spans 2 --seed 7 --out /root/wc/reports/gate-vts-rhythm7
