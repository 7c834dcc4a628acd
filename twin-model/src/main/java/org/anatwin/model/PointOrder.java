package org.anatwin.model;

/**
 * Ordering point indices by one coordinate, as spatial trees are built: a quickselect over a
 * permutation of indices into an array of x, y, z triplets.
 */
public final class PointOrder {
  private PointOrder() {}

  /**
   * Rearranges {@code order[left..right]} so that the index at {@code k} has the k-th smallest
   * coordinate {@code axis} (0, 1, 2) among them, smaller or equal ones before it, larger or equal
   * ones after.
   */
  public static void select(int[] order, float[] xyz, int axis, int left, int right, int k) {
    while (left < right) {
      float pivot = xyz[3 * order[(left + right) >>> 1] + axis];
      int i = left;
      int j = right;
      while (i <= j) {
        while (xyz[3 * order[i] + axis] < pivot) {
          i++;
        }
        while (xyz[3 * order[j] + axis] > pivot) {
          j--;
        }
        if (i <= j) {
          int swap = order[i];
          order[i] = order[j];
          order[j] = swap;
          i++;
          j--;
        }
      }
      if (k <= j) {
        right = j;
      } else if (k >= i) {
        left = i;
      } else {
        return;
      }
    }
  }
}
