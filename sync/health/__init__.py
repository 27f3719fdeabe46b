"""Connection health: what the clients saw, the pure rules, the durable record, the checks."""
