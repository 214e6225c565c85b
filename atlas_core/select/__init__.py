"""Stage 6, select: choose files within a budget and find their matching symbols."""
