"""`wattcode bench`: the efficiency and greenness benchmark."""
