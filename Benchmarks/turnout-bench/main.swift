print("turnout-bench")
