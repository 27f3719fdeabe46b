"""``costbridge demo``: the sandboxes and the real engine composed, with the demo firm's data."""
