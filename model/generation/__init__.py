"""Generation from a model folder without Keras: the folder, the NumPy step model, sampling, steering and form."""
