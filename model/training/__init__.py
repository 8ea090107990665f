"""Everything Keras: networks, windows, training, device placement and Magenta checkpoint import."""
