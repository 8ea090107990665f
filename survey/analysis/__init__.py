"""What the answers say: the export frame, the headline mixed models, statistics, figures, power and report."""
