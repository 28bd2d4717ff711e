"""Energy per suggestion: meters (RAPL, NVML, a CPU-time model), measurement windows around
each generation, attribution to this process, session totals and carbon. Knows nothing of LSP.

Every figure carries its method label ("measured: RAPL package+dram", "estimated: CPU time ×
7.5 W/core"), so that a reader always knows whether a number was measured or modelled.
"""
