"""The lesson's internals: what keeps a run honest and tidy, never the lesson's point.

- ``files``        writing files and folders atomically (the project's one way to write)
- ``cache``        where the lesson keeps what it computes once, and the keys that name it
- ``params``       every parameter's rule, checked before any work starts
- ``precision``    float32 or bfloat16 arithmetic
- ``quiet_start``  TensorFlow's start-up lines kept out of notebooks
- ``timing``       durations, as the lesson writes them
- ``environment``  the machine and libraries a run ran on, named in its record
- ``records``      what a method's record holds, the key it is filed by, finding it again
- ``results``      each method's run and its record (a :class:`~results.Run` per notebook)
- ``backend``      what differs between Keras' backends
- ``stopping``     ending a run (``make lessons``, a sweep) on Ctrl-C or SIGTERM, and only
                   the processes it started

Nothing here imports the lesson's modules or the data sources: the arrows point down to here.
"""
