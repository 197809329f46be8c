#ifndef TENDER_CNGHTTP2_SHIM_H
#define TENDER_CNGHTTP2_SHIM_H

// libnghttp2 (Debian: libnghttp2-dev). The engine uses the 1.52 API: the ssize_t
// nghttp2_session_mem_recv/mem_send and nghttp2_submit_response with nghttp2_data_provider.
#include <nghttp2/nghttp2.h>

#endif
