"""智能判重 (duplicate detection, DOMAIN.md §9): normalize, block, score, decide, cluster.

:mod:`.item` is what is compared, :mod:`.text` the Chinese text features (jieba words, character shingles,
MinHash), :mod:`.blocking` the candidate pairs, :mod:`.score` the score and the decision, :mod:`.clusters` the
clusters, 一人多投 and 多人一诉. Everything here is pure and works on the records a request already holds.
"""
