/* Internal to libqvirt. */
#pragma once

#include "qvirt/qvirt.h"
#include "util/json-autoptr.h"
