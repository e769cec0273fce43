"""Anti-money-laundering screening (RSK-5): large-value and structuring alerts, the AML queue."""
