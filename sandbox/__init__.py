"""Local emulators of the outside systems (independent of the product) and the demo."""
