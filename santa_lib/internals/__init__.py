"""The lesson's internals: what keeps a run honest and tidy, never the lesson's point.

- ``files``        writing files and folders atomically (the project's one way to write)
- ``cache``        where the lesson keeps what it computes once, and the keys that name it
- ``params``       every parameter's rule, checked before any work starts
- ``precision``    float32 or bfloat16 arithmetic
- ``quiet_start``  TensorFlow's start-up lines kept out of notebooks
- ``timing``       durations, as the lesson writes them
- ``results``      each method's record, for the comparison (a :class:`~results.Run` per notebook)

Nothing here imports the lesson's modules or the data sources: the arrows point down to here.
"""
