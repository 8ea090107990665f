"""Symbolic music for LSTM Music Lab: POP909 loading, tokenisation, Keras networks, training and sampling."""
