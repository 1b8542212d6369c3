"""Domain services: plain Python over the models, no Qt imports."""
