"""Processing glue: the provider and one algorithm per module (thin; the work is in ``algorithms``)."""
