package io.loganalytics.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.loganalytics.connect.OffsetTracker.Partition;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
  private static final TopicPartition P0 = new TopicPartition("logs", 0);
  private static final TopicPartition P1 = new TopicPartition("logs", 1);
  private final OffsetTracker tracker = new OffsetTracker();

  @Test
  void outOfOrderAcknowledgementsCommitOnlyTheContiguousPrefix() {
    Partition p = tracker.open(P0);
    for (long o = 0; o < 5; o++) {
      assertThat(tracker.add(p, o)).isTrue();
    }
    tracker.done(p, 2);
    tracker.done(p, 3);
    assertThat(tracker.committable()).isEmpty();

    tracker.done(p, 0);
    assertThat(tracker.committable()).containsExactly(Map.entry(P0, new OffsetAndMetadata(1)));

    tracker.done(p, 1);
    assertThat(tracker.committable()).containsExactly(Map.entry(P0, new OffsetAndMetadata(4)));
    assertThat(tracker.pendingRecords()).isEqualTo(1);

    tracker.done(p, 4);
    assertThat(tracker.committable()).containsExactly(Map.entry(P0, new OffsetAndMetadata(5)));
    assertThat(tracker.pendingRecords()).isZero();
  }

  @Test
  void gapsInOffsetsFromCompactionOrTransactionMarkersDoNotStallTheCommit() {
    Partition p = tracker.open(P0);
    tracker.add(p, 10);
    tracker.add(p, 12);
    tracker.add(p, 15);
    tracker.done(p, 12);
    assertThat(tracker.committable()).isEmpty();
    tracker.done(p, 10);
    assertThat(tracker.committable().get(P0).offset()).isEqualTo(13);
    tracker.done(p, 15);
    assertThat(tracker.committable().get(P0).offset()).isEqualTo(16);
  }

  @Test
  void partitionsAreIndependent() {
    Partition a = tracker.open(P0);
    Partition b = tracker.open(P1);
    tracker.add(a, 0);
    tracker.add(b, 0);
    tracker.add(b, 1);
    tracker.done(b, 1);
    tracker.done(a, 0);
    assertThat(tracker.committable()).containsOnlyKeys(P0).containsEntry(P0, new OffsetAndMetadata(1));
  }

  @Test
  void aRevokedPartitionIsNotCommittedAndLateAcknowledgementsAreIgnoredAlsoAfterReassignment() {
    Partition old = tracker.open(P0);
    tracker.add(old, 0);
    tracker.add(old, 1);
    tracker.done(old, 0);

    tracker.forget(List.of(P0));
    assertThat(tracker.committable()).isEmpty();
    assertThat(tracker.isLive(old)).isFalse();
    tracker.done(old, 1);
    assertThat(tracker.committable()).isEmpty();

    // Reassigned: the consumer resumes at the committed offset; the old handle's acks must not count.
    Partition again = tracker.open(P0);
    tracker.add(again, 0);
    tracker.add(again, 1);
    tracker.done(old, 0);
    tracker.done(old, 1);
    assertThat(tracker.committable()).isEmpty();
    tracker.done(again, 0);
    assertThat(tracker.committable().get(P0).offset()).isEqualTo(1);
    assertThat(tracker.add(old, 5)).isFalse();
  }

  @Test
  void aRedeliveredRecordIsNotTrackedTwice() {
    Partition p = tracker.open(P0);
    assertThat(tracker.add(p, 0)).isTrue();
    assertThat(tracker.add(p, 0)).isFalse(); // still pending
    tracker.done(p, 0);
    assertThat(tracker.add(p, 0)).isFalse(); // behind the committable position
    assertThat(tracker.add(p, 1)).isTrue();
    assertThat(tracker.pendingRecords()).isEqualTo(1);
  }

  @Test
  void anAcknowledgementOfAnUnknownOffsetChangesNothing() {
    Partition p = tracker.open(P0);
    tracker.add(p, 3);
    tracker.done(p, 7);
    assertThat(tracker.committable()).isEmpty();
    assertThat(tracker.pendingRecords()).isEqualTo(1);
  }
}
