import { PartitionTracker } from './partition-tracker';

describe('PartitionTracker', () => {
  it('commits only up to the lowest unfinished message', () => {
    const tracker = new PartitionTracker();
    for (const offset of ['10', '11', '12', '13']) tracker.track('t', 0, offset, 'in_flight');
    tracker.complete('t', 0, '11');
    tracker.complete('t', 0, '13');
    expect(tracker.takeCommittable()).toEqual([]);
    tracker.complete('t', 0, '10');
    expect(tracker.takeCommittable()).toEqual([{ topic: 't', partition: 0, offset: '12' }]);
    // Nothing moved since: nothing to commit.
    expect(tracker.takeCommittable()).toEqual([]);
    tracker.complete('t', 0, '12');
    expect(tracker.takeCommittable()).toEqual([{ topic: 't', partition: 0, offset: '14' }]);
  });

  it('keeps partitions apart', () => {
    const tracker = new PartitionTracker();
    tracker.track('t', 0, '5', 'in_flight');
    tracker.track('t', 1, '7', 'in_flight');
    tracker.complete('t', 1, '7');
    expect(tracker.takeCommittable()).toEqual([{ topic: 't', partition: 1, offset: '8' }]);
  });

  it('holds back commits behind a waiting retry and remembers states across a re-fetch', () => {
    const tracker = new PartitionTracker();
    tracker.track('retry', 0, '3', 'waiting');
    tracker.track('retry', 0, '4', 'in_flight');
    tracker.complete('retry', 0, '4');
    expect(tracker.takeCommittable()).toEqual([]);
    // After a seek back to 3, offset 4 is recognised as done and not sent again.
    expect(tracker.stateOf('retry', 0, '4')).toBe('done');
    expect(tracker.stateOf('retry', 0, '3')).toBe('waiting');
    tracker.track('retry', 0, '3', 'in_flight');
    tracker.complete('retry', 0, '3');
    expect(tracker.takeCommittable()).toEqual([{ topic: 'retry', partition: 0, offset: '5' }]);
  });

  it('never commits past a waiting retry across a rebalance, even when a message behind it completes first', () => {
    // A broker died: the retry at 2 was written late with an early due time and went out at
    // once, its outcome stuck on the dead broker, while the retry at 1 waits in memory. The
    // consumer rejoins the group (kafkajs restarted it) and keeps the partition.
    const tracker = new PartitionTracker();
    tracker.track('retry', 0, '1', 'waiting');
    tracker.track('retry', 0, '2', 'in_flight');
    tracker.retainOnly({ retry: [0] });
    // The outcome of 2 is written before the partition is read again from offset 1.
    tracker.complete('retry', 0, '2');
    expect(tracker.takeCommittable()).toEqual([]);
    expect(tracker.stateOf('retry', 0, '1')).toBe('waiting');
    expect(tracker.stateOf('retry', 0, '2')).toBe('done');
    expect(tracker.pendingByTopic().get('retry')).toEqual({ waiting: 1, inFlight: 0 });
    // Read again, it is sent; only then does the commit point move past it.
    tracker.track('retry', 0, '1', 'in_flight');
    tracker.complete('retry', 0, '1');
    expect(tracker.takeCommittable()).toEqual([{ topic: 'retry', partition: 0, offset: '3' }]);
  });

  it('keeps order when an earlier offset is seen after later ones', () => {
    const tracker = new PartitionTracker();
    tracker.track('t', 0, '8', 'in_flight');
    tracker.track('t', 0, '6', 'in_flight');
    tracker.complete('t', 0, '8');
    expect(tracker.takeCommittable()).toEqual([]);
    tracker.complete('t', 0, '6');
    expect(tracker.takeCommittable()).toEqual([{ topic: 't', partition: 0, offset: '9' }]);
  });

  it('commits past a long run of completed messages once the message holding them back completes', () => {
    // A never-answering endpoint's call holds offset 0 while 100,000 later ones complete.
    const tracker = new PartitionTracker();
    const count = 100_000;
    for (let offset = 0; offset <= count; offset += 1) tracker.track('t', 0, String(offset), 'in_flight');
    for (let offset = 1; offset <= count; offset += 1) tracker.complete('t', 0, String(offset));
    expect(tracker.takeCommittable()).toEqual([]);
    tracker.complete('t', 0, '0');
    expect(tracker.takeCommittable()).toEqual([{ topic: 't', partition: 0, offset: String(count + 1) }]);
    // Forgotten (the memory is freed), yet known as done: it lies below the commit point.
    expect(tracker.stateOf('t', 0, String(count))).toBe('done');
    expect(tracker.pendingByTopic().get('t')).toEqual({ waiting: 0, inFlight: 0 });
  });

  it('keeps its order across partial completions, late arrivals and retries read again', () => {
    const tracker = new PartitionTracker();
    // Enough completions at the head to make the tracker drop them from its order.
    for (let offset = 0; offset < 3_000; offset += 1) tracker.track('t', 0, String(offset), 'in_flight');
    for (let offset = 0; offset < 2_500; offset += 1) tracker.complete('t', 0, String(offset));
    expect(tracker.takeCommittable()).toEqual([{ topic: 't', partition: 0, offset: '2500' }]);
    tracker.track('t', 0, '3000', 'waiting');
    for (let offset = 2_500; offset < 3_000; offset += 1) tracker.complete('t', 0, String(offset));
    expect(tracker.takeCommittable()).toEqual([{ topic: 't', partition: 0, offset: '3000' }]);
    tracker.track('t', 0, '3002', 'in_flight');
    tracker.track('t', 0, '3001', 'in_flight');
    tracker.complete('t', 0, '3001');
    expect(tracker.takeCommittable()).toEqual([]);
    tracker.track('t', 0, '3000', 'in_flight');
    tracker.complete('t', 0, '3000');
    expect(tracker.takeCommittable()).toEqual([{ topic: 't', partition: 0, offset: '3002' }]);
    tracker.complete('t', 0, '3002');
    expect(tracker.takeCommittable()).toEqual([{ topic: 't', partition: 0, offset: '3003' }]);
  });

  it('forgets a partition lost at a rebalance: no commit over its new owner, nothing held when it comes back', () => {
    const tracker = new PartitionTracker();
    tracker.track('d', 0, '10', 'in_flight');
    tracker.track('d', 0, '11', 'in_flight');
    tracker.complete('d', 0, '11');
    // Partition 0 goes to another member, which sends and commits on from offset 10.
    tracker.retainOnly({ d: [1] });
    // The attempt at offset 10 ends after the partition left: committing 12 now would
    // overwrite the new owner's progress.
    tracker.complete('d', 0, '10');
    expect(tracker.takeCommittable()).toEqual([]);
    // The partition comes back at the new owner's committed offset.
    tracker.retainOnly({ d: [0, 1] });
    tracker.track('d', 0, '500', 'in_flight');
    tracker.complete('d', 0, '500');
    expect(tracker.takeCommittable()).toEqual([{ topic: 'd', partition: 0, offset: '501' }]);
    expect(tracker.pendingByTopic().get('d')).toEqual({ waiting: 0, inFlight: 0 });
  });

  it('still knows a message as done once the commit point passed it', () => {
    // A retry tier re-reads from a waiting message (3); messages behind it were sent. When
    // 3 completes while the batch is still being handled, 4 must not look new.
    const tracker = new PartitionTracker();
    tracker.track('retry', 0, '3', 'waiting');
    tracker.track('retry', 0, '4', 'in_flight');
    tracker.complete('retry', 0, '4');
    tracker.track('retry', 0, '3', 'in_flight');
    tracker.complete('retry', 0, '3');
    expect(tracker.stateOf('retry', 0, '4')).toBe('done');
    expect(tracker.stateOf('retry', 0, '5')).toBeUndefined();
  });

  it('offers offsets again after their commit failed', () => {
    const tracker = new PartitionTracker();
    tracker.track('t', 0, '4', 'in_flight');
    tracker.complete('t', 0, '4');
    const offsets = tracker.takeCommittable();
    expect(offsets).toEqual([{ topic: 't', partition: 0, offset: '5' }]);
    // The consumer was restarting: the commit threw.
    tracker.commitFailed(offsets);
    expect(tracker.takeCommittable()).toEqual(offsets);
    expect(tracker.takeCommittable()).toEqual([]);
    // A partition that left meanwhile is not offered again.
    tracker.commitFailed(offsets);
    tracker.retainOnly({ t: [1] });
    expect(tracker.takeCommittable()).toEqual([]);
  });

  it('forgets what lies below the offset a partition is read from again after a rejoin', () => {
    const tracker = new PartitionTracker();
    tracker.track('retry', 0, '1', 'waiting');
    tracker.track('retry', 0, '2', 'in_flight');
    tracker.track('retry', 0, '3', 'waiting');
    // Another member sent 1 and 2 and committed 3 while this consumer was restarting.
    tracker.readingFrom('retry', 0, '3');
    expect(tracker.stateOf('retry', 0, '1')).toBeUndefined();
    expect(tracker.pendingByTopic().get('retry')).toEqual({ waiting: 1, inFlight: 0 });
    tracker.complete('retry', 0, '2');
    tracker.track('retry', 0, '3', 'in_flight');
    tracker.complete('retry', 0, '3');
    expect(tracker.takeCommittable()).toEqual([{ topic: 'retry', partition: 0, offset: '4' }]);
  });
});
