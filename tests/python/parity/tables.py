"""All parity rows, gathered from the per-family tables."""
import table_creation
import table_elementwise
import table_indexing
import table_inplace
import table_layout
import table_linalg
import table_methods
import table_reduction
import table_shape

ALL_ROWS = (table_elementwise.ROWS + table_reduction.ROWS + table_shape.ROWS + table_linalg.ROWS
            + table_indexing.ROWS + table_creation.ROWS + table_methods.ROWS
            + table_inplace.ROWS + table_layout.ROWS)
