"""法治政府知识库: the core (index, retrieval, answering, citations, 文号 registry).

Importing the package switches off every outbound call the libraries would make:
model hubs, Chroma and Gradio telemetry. The product runs on an intranet.
"""

import os

for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_name, _value)
