"""Phone through CTI events (ACC-2, STD-4, STD-6): ring, answer, hold, unhold, transfer,
hang up — speed of answer and talk time recorded, long calls escalated."""
