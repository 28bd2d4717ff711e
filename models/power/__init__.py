"""Power budgets: where the machine's power comes from, and a governor that keeps to a budget."""
