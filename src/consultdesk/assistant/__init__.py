"""The assistant's matching engine: normalisation, segmentation, lexical and dense
retrieval, a learned combination and calibrated decisions (answer, offer, clarify,
handover). Import `consultdesk.assistant.matcher` for the public API."""
