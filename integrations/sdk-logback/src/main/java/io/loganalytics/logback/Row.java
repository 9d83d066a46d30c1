package io.loganalytics.logback;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * One event's columns, in the order they were added: names and values side by side in one array. It costs the
 * logging thread one array and one object where a {@code LinkedHashMap} costs a table and an entry per column.
 * Filled by {@link #add} on the logging thread before it is handed to the batch thread (through a lock), and read-only
 * from then on: {@link AbstractMap}'s {@code put} and {@code remove} throw. Column names are unique (the appender
 * adds each once).
 *
 * <p>Not thread-safe while filled; safely readable by any thread once published.
 */
final class Row extends AbstractMap<String, Object> {
  /** Name at {@code 2 * i}, value at {@code 2 * i + 1}. */
  private final Object[] columns;
  private int size;

  /** @param capacity the most columns {@link #add} will be called for */
  Row(int capacity) {
    columns = new Object[2 * capacity];
  }

  /** Adds a column; at most {@code capacity} of them, each name once. */
  void add(String name, Object value) {
    columns[2 * size] = name;
    columns[2 * size + 1] = value;
    size++;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public Object get(Object key) {
    int i = indexOf(key);
    return i < 0 ? null : columns[2 * i + 1];
  }

  private int indexOf(Object key) {
    for (int i = 0; i < size; i++) {
      if (columns[2 * i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public Set<Map.Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Iterator<Map.Entry<String, Object>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < size;
          }

          @Override
          public Map.Entry<String, Object> next() {
            if (next >= size) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new SimpleImmutableEntry<>((String) columns[2 * i], columns[2 * i + 1]);
          }
        };
      }
    };
  }
}
