"""Force generation: who offers what, on which conditions, acceptable to whom — and the gaps."""
