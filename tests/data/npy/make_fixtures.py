#!/usr/bin/python3
"""Write the .npy fixtures of tests/test_npy.c with NumPy itself.

Run once (Debian: apt-get install python3-numpy) from this folder:
    /usr/bin/python3 make_fixtures.py
The files are committed, so the tests need no NumPy.  Every value is exactly
representable, so the C test compares with ==.  np_f8.npy and np_c16.npy are
also the byte-for-byte reference of mfh_npy_write."""
import numpy as np
from numpy.lib import format as fmt

a = np.arange(6, dtype='<f8').reshape(2, 3) * 0.5 + 0.25          # [[.25 .75 1.25] [1.75 2.25 2.75]]
np.save('np_f8.npy', a)
np.save('np_f8_fortran.npy', np.asfortranarray(a))                   # fortran_order: True
np.save('np_f8_3d_fortran.npy', np.asfortranarray(np.arange(24, dtype='<f8').reshape(2, 3, 4)))
np.save('np_f8_be.npy', a.astype('>f8'))
np.save('np_f4.npy', np.array([1.5, -2.25, 0.125], dtype='<f4'))
np.save('np_c16.npy', np.array([[1 + 2j, -3.5], [-1j, 0.5 + 0.25j]], dtype='<c16'))
np.save('np_c8_fortran.npy', np.asfortranarray(np.array([[1 + 2j, -3.5], [-1j, 0.5]], dtype='<c8')))
np.save('np_i4_be.npy', np.array([-1, 2, -2147483648], dtype='>i4'))
np.save('np_i8.npy', np.array([-(2 ** 53), 7], dtype='<i8'))
np.save('np_u1.npy', np.array([0, 255, 7], dtype='u1'))
np.save('np_u2.npy', np.array([65535, 1], dtype='<u2'))
np.save('np_b1.npy', np.array([True, False, True]))
np.save('np_scalar.npy', np.float64(3.25))
np.save('np_empty.npy', np.zeros((0, 3)))
for v in ((2, 0), (3, 0)):
    with open('np_v%d.npy' % v[0], 'wb') as f:
        fmt.write_array(f, a, version=v)
# what mfh refuses
np.save('np_structured.npy', np.zeros(2, dtype=[('x', '<f8'), ('y', '<f8')]))
np.save('np_f2.npy', np.array([1, 2], dtype='<f2'))
np.save('np_str.npy', np.array(['ab', 'c']))
np.save('np_object.npy', np.array([1, 'a'], dtype=object), allow_pickle=True)
np.save('np_f16.npy', np.array([1, 2], dtype=np.longdouble))
np.save('np_datetime.npy', np.array(['2020-01-01'], dtype='datetime64[D]'))
