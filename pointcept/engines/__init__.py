"""Training and testing: launch, trainer, testers and hooks."""
