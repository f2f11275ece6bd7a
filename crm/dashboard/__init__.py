"""The manager dashboard: pipeline, door-opener results, activity, training-active companies, income."""
