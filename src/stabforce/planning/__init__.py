"""Deployment planning for the stabilisation force (pure optimisation code lives in ``solver``)."""
