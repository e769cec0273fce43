"""Counter appointments (SOL-4, CLS-1): branch counter slots, booking with an appointment
number sent to the customer's phone, cancellation."""
