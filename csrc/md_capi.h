/* multidict's C API (multidict >= 7: multidict_capi.h, found through
 * multidict.get_include()) when the build has it, else stubs; either way
 * cyhttp_md_capi() returns NULL when the API cannot be used (not built in, or the
 * multidict installed at run time is older than the header), and the parser then
 * builds its headers through multidict's Python constructors. */
#ifndef CYHTTP_MD_CAPI_H
#define CYHTTP_MD_CAPI_H

#include <Python.h>

#if defined(__has_include)
#  if __has_include("multidict_capi.h")
#    include "multidict_capi.h"
#    define CYHTTP_HAVE_MD_CAPI 1
#  endif
#endif

#ifdef CYHTTP_HAVE_MD_CAPI

static MultiDict_CAPI *
cyhttp_md_capi(void)
{
    MultiDict_CAPI *capi = MultiDict_GetCAPI();
    if (capi == NULL)
        PyErr_Clear();  /* an older multidict at run time: use the Python API */
    return capi;
}

#else

typedef struct MultiDict_CAPI MultiDict_CAPI;

static MultiDict_CAPI *cyhttp_md_capi(void) { return NULL; }

static inline PyObject *
CIMultiDict_New(MultiDict_CAPI *capi, Py_ssize_t n)
{
    (void)capi; (void)n;
    PyErr_SetString(PyExc_SystemError, "multidict C API not built in");
    return NULL;
}

static inline int
MultiDict_Add(MultiDict_CAPI *capi, PyObject *md, PyObject *key, PyObject *value)
{
    (void)capi; (void)md; (void)key; (void)value;
    PyErr_SetString(PyExc_SystemError, "multidict C API not built in");
    return -1;
}

static inline PyObject *
CIMultiDictProxy_New(MultiDict_CAPI *capi, PyObject *md)
{
    (void)capi; (void)md;
    PyErr_SetString(PyExc_SystemError, "multidict C API not built in");
    return NULL;
}

#endif
#endif /* CYHTTP_MD_CAPI_H */
