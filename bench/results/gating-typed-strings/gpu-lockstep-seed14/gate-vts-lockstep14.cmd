python3 -m lsp_server bench --configs wattcode,no-gate --workloads typing --corpus wide --typing-pace lockstep --spans 4 --seed 14 --out /root/wc/reports/gate-vts-lockstep14
