"""Generation: prompts, the generators behind the Generator port, and candidate checks."""
