"""The build: the stages composed (`kg.pipeline.stages.build`, re-exported as `kg.build`), and the per-article work on
processes or a Dask cluster (`kg.pipeline.executors`)."""
