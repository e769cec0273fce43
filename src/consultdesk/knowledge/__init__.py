"""Knowledge base (话术库): entries by business line with review workflow, bulletins,
import/export, and the Demo Bank (示例银行) FAQ. PREP-1, PREP-2, SOL-1, SOL-2, RSK-7."""
