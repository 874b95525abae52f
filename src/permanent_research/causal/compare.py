def compare_estimators(*a, **k):
    raise NotImplementedError
